"""One package per vendor API; `registry.APIS` lists them for the app."""
