"""People told by e-mail: what they chose, the outbox of e-mails, composing and sending them.

A mail is a row of `mail_outbox` written in the transaction of the change it announces
(`operations.enqueue`), so it is neither lost nor sent for a change that did not happen; the worker
sends it over SMTP with retries (`sending.send_due`), like the webhooks' outbox. It names the order
and links to its page in the portal, and carries nothing of the order's content.
"""
