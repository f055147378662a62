"""Where a Store comes from: fixtures, generated histories, one world per seed."""
