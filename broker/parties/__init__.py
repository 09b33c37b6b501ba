"""Parties: organisations, their addressees, users, API tokens and signing keys."""
