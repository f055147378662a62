"""What two or more APIs share: bearer auth, the invoice PDF, timestamps, names."""
