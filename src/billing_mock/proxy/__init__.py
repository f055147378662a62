"""`billing-mock proxy`: a validating reverse proxy that holds real traffic to the contracts.

Layer above `contract/`, `server/` and `apis/` (it is handed the APIs and, for
`--fallback mock`, the mock as an ASGI app; it imports neither `app` nor `cli`):

  forward.py   the ASGI app: forward unchanged (httpx), read bounded, check, answer
  bodies.py    bodies read up to a cap, the rest streamed through unchecked
  checks.py    one exchange against its operation: the rules, as `Violation`s
  schemas.py   OpenAPI 3.0 schema validators over a Contract, values coerced from text
  report.py    bounded counters and examples; the JSON and JUnit reports; log lines, curl
  command.py   the command's options, uvicorn, the reports written on exit
"""
