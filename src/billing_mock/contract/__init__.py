"""`billing-mock contract-test`: check a live deployment against the contracts with Schemathesis."""
