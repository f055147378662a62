"""The billing domain: organisations, plans, invoices and money; no HTTP, no wire formats."""
