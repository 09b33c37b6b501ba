"""The portal's pages, one module per area; each registers its routes on `broker.portal.bp`.

- `signin.py`: signing in (password, then code or recovery code), enrolling the second factor,
  signing out;
- `account.py`: the person's account (language, password, signing out everywhere) and the
  language switcher;
- `dashboard.py`: the first page after signing in, one per kind of organisation;
- `orders.py`: an order, read-only (its certificate, signatures, legal findings, timeline).
"""

from broker.portal.views import account
from broker.portal.views import dashboard
from broker.portal.views import orders
from broker.portal.views import signin

__all__ = ["account", "dashboard", "orders", "signin"]
