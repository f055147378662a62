"""ASGI around connexion: request state, errors, steering, caching, logging, publishing.

Handed the APIs (`ApiModule`s satisfy `routing.Mount`); imports none of them.
"""
