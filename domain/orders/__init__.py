"""Orders: placing, routing to a store, offers and their deadlines, delivery."""

from domain.orders.dispatch import Dispatch
from domain.orders.lifecycle import cancel_order, complete_delivery, start_delivery
from domain.orders.offers import (
    accept_order,
    assign_order,
    decline_order,
    expire_offer,
    expire_offers,
    offer_waiting_orders,
    reschedule_pending,
)
from domain.orders.placing import place_order

__all__ = [
    "Dispatch",
    "accept_order",
    "assign_order",
    "cancel_order",
    "complete_delivery",
    "decline_order",
    "expire_offer",
    "expire_offers",
    "offer_waiting_orders",
    "place_order",
    "reschedule_pending",
    "start_delivery",
]
