"""Everything that reads `openapi/`: the contracts, request validation, `spec bundle` and
`contract-test`. The bottom layer beside the domain: it imports nothing else of the package.
"""
