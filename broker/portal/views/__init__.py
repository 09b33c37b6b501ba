"""The portal's pages, one module per area; each registers its routes on `broker.portal.bp`.

- `signin.py`: signing in (password, then code or recovery code), enrolling the second factor,
  signing out;
- `account.py`: the person's account (language, password, signing out everywhere) and the
  language switcher;
- `dashboard.py`: the first page after signing in, one per kind of organisation;
- `orders.py`: an order (its certificate, signatures, legal findings, timeline, what may be done),
  with its evidence packages' status from `order_evidence.py`;
- `drafting.py`, `draft_issue.py`: the guided form for a new order, its drafts, signing and issuing one;
  `removal_drafting.py`: the form for a removal order (terrorist content) and changing a stored one;
  `removal_notices.py`: the notices of procedures a first removal order to a provider waits for;
- `actions.py`: signed messages sent from the order page, one form per message type a person sends;
- `review.py`: the enforcing authority's review queue (Art. 12) and the reviews it recorded;
- `keys.py`: the organisation's signing keys, a key made in the browser, registering one;
  `key_changes.py`: revoking one, replacing (rotating) one;
- `oversight.py`: the oversight body's search, case files, the signed log and Art. 28 statistics;
- `threats.py`: providers' notifications of threats to life or safety (DSA Art. 18): sending one, reading one.
"""

from broker.portal.views import account
from broker.portal.views import actions
from broker.portal.views import dashboard
from broker.portal.views import draft_issue
from broker.portal.views import drafting
from broker.portal.views import key_changes
from broker.portal.views import keys
from broker.portal.views import orders
from broker.portal.views import oversight
from broker.portal.views import removal_drafting
from broker.portal.views import removal_notices
from broker.portal.views import review
from broker.portal.views import signin
from broker.portal.views import threats

__all__ = [
    "account",
    "actions",
    "dashboard",
    "draft_issue",
    "drafting",
    "key_changes",
    "keys",
    "orders",
    "oversight",
    "removal_drafting",
    "removal_notices",
    "review",
    "signin",
    "threats",
]
