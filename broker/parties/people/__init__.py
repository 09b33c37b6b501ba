"""People's accounts for the portal: passwords, a second factor, recovery codes and sessions.

A person is a `users` row (broker/parties/models.py): the same user an API token belongs to and
the same `Actor` (organisation, kind, role) once signed in, so every access rule applies to a
browser exactly as to a machine. What the portal adds is how a person proves who they are:

- a password, kept only as an Argon2id hash (`passwords.py`);
- a mandatory second factor, TOTP (RFC 6238, `totp.py`), enrolled at the first sign-in, with ten
  one-time recovery codes for a lost device;
- a server-side session per signed-in browser (`portal_sessions`), which ends after 30 idle
  minutes, after 12 hours in all, on signing out, or when the person signs out everywhere.

Reads are in `queries.py`; every write, each with its audit entry, is in `operations/`, which the
portal's views and the operator's CLI call inside a transaction they own.
"""
