"""The identifiers of an order's HI-1 objects: derived from the order id, and back, without a table.

The Authorisation is the order itself (its ObjectIdentifier is the order id); the task, the
additional-information object and the signed certificate's Document are the order id with a fixed
pattern XORed into its last 32 bits, which leaves the UUID's version and variant bits alone. A
provider can therefore GET or UPDATE any of them, and the broker finds the order by undoing the XOR
for each kind in turn, looking only among the orders the caller may see.
"""

import uuid

KINDS = {"authorisation": 0, "task": 0x7A5C0001, "info": 0x7A5C0002, "document": 0x7A5C0003}


def object_id(order_id: str | uuid.UUID, kind: str) -> str:
    """The ObjectIdentifier of the `kind` object of an order."""
    return str(uuid.UUID(int=uuid.UUID(str(order_id)).int ^ KINDS[kind]))


def candidates(identifier: str) -> list[tuple[str, uuid.UUID]]:
    """Every (kind, order id) an ObjectIdentifier could stand for; the caller keeps the one that exists."""
    value = uuid.UUID(identifier).int
    return [(kind, uuid.UUID(int=value ^ mask)) for kind, mask in KINDS.items()]
