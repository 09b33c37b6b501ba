"""The write side of people's accounts: sessions, signing in, credentials (each module says which)."""
