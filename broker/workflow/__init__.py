"""Driving orders through the lifecycle table: issuing, taking delivery, every signed step, what falls due.

It sits above the features it composes (orders, evidence) so that none of them imports another
sideways: a feature contributes its guards and after-effects, and the workflow applies them.
"""
