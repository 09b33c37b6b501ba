"""Marshmallow schemas of API v1 request and response bodies, one module per feature."""
