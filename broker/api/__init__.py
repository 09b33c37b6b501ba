"""HTTP API v1: JSON over HTTP, problem+json errors, OpenAPI generated from the marshmallow schemas."""
