"""Use cases: small services that each take the store they need; `Journal` is their façade."""
