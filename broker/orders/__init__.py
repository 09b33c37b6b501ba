"""Orders: EPOC and EPOC-PR certificates and every signed message that concerns them."""
