"""The synthetic retailer's world: its stages and channels, touchpoints with their waits,
surveys and scales, the designed journey, the planted effects on satisfaction, and each
persona's share, baseline and Markov process over touchpoints, written as plain
``source: target weight`` lines. :mod:`.generate` simulates journeys in it;
:func:`synthetic_parameters` gives the notebook parameters that fit data saved from it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["STAGES", "CHANNELS", "TOUCHPOINTS", "SURVEYS", "INSTRUMENTS", "DESIGNED_JOURNEY",
           "EFFECTS_NPS", "PROCESSES", "PURCHASES", "SURVEYED", "MAX_STEPS",
           "synthetic_parameters"]

STAGES = ("awareness", "consideration", "purchase", "delivery", "service", "loyalty", "advocacy")
CHANNELS = ("web", "app", "store", "phone", "email", "chat", "social", "field")

#: touchpoint -> (stage, channel, median wait before it in seconds, wait spread (lognormal sigma));
#: a journey's first event has no wait.
TOUCHPOINTS: dict[str, tuple[str, str, float, float]] = {
    "social_ad": ("awareness", "social", 6 * 3_600, 1.0),
    "search_ad": ("awareness", "web", 3 * 3_600, 1.0),
    "newsletter": ("awareness", "email", 86_400, 0.8),
    "store_walk_in": ("awareness", "store", 2 * 86_400, 0.8),
    "browse_web": ("consideration", "web", 3_600, 1.2),
    "browse_app": ("consideration", "app", 2_400, 1.2),
    "read_reviews": ("consideration", "web", 600, 0.8),
    "compare_products": ("consideration", "web", 900, 0.8),
    "chat_presales": ("consideration", "chat", 300, 0.6),
    "call_presales": ("consideration", "phone", 7_200, 1.0),
    "store_advice": ("consideration", "store", 1_800, 0.9),
    "add_to_cart_web": ("purchase", "web", 420, 0.7),
    "add_to_cart_app": ("purchase", "app", 300, 0.7),
    "payment_failed": ("purchase", "web", 120, 0.5),
    "checkout_web": ("purchase", "web", 240, 0.6),
    "checkout_app": ("purchase", "app", 180, 0.6),
    "store_purchase": ("purchase", "store", 900, 0.6),
    "phone_order": ("purchase", "phone", 1_200, 0.7),
    "order_confirmation": ("delivery", "email", 60, 0.5),
    "home_delivery": ("delivery", "field", 2 * 86_400, 0.35),
    "delivery_delayed": ("delivery", "field", 6 * 86_400, 0.3),
    "click_and_collect": ("delivery", "store", 86_400, 0.4),
    "setup_help": ("delivery", "phone", 3 * 3_600, 0.8),
    "chat_support": ("service", "chat", 2 * 86_400, 0.9),
    "call_support": ("service", "phone", 86_400, 0.9),
    "hold_queue": ("service", "phone", 25 * 60, 0.5),
    "first_contact_fix": ("service", "phone", 15 * 60, 0.5),
    "return_item": ("service", "store", 3 * 86_400, 0.6),
    "refund_issued": ("service", "email", 5 * 86_400, 0.4),
    "loyalty_signup": ("loyalty", "app", 4 * 86_400, 0.8),
    "repurchase": ("loyalty", "web", 30 * 86_400, 0.5),
    "write_review": ("advocacy", "web", 7 * 86_400, 0.6),
    "refer_friend": ("advocacy", "social", 14 * 86_400, 0.6),
}
SURVEYS: dict[str, tuple[str, str, float, float]] = {
    "csat_survey": ("service", "email", 2 * 3_600, 0.6),
    "nps_survey": ("loyalty", "email", 3 * 86_400, 0.5),
}
#: The survey instruments and their scales, as :func:`journeylab.read_events` takes them.
INSTRUMENTS: dict[str, tuple[float, float]] = {"csat_survey": (1, 5), "nps_survey": (0, 10)}
#: The synthetic retailer's designed (intended) journey, for conformance.
DESIGNED_JOURNEY: tuple[str, ...] = ("social_ad", "browse_app", "add_to_cart_app",
                                     "checkout_app", "order_confirmation", "home_delivery")


def synthetic_parameters(folder: str | Path, *, events: str = "events.parquet") -> dict[str, Any]:
    """Notebook parameters that only make sense for synthetic data saved in ``folder``
    (``events`` names its event file).

    ``journeylab demo`` passes them; no notebook has them as defaults, so nothing
    synthetic reaches a report on a user's own log.

    Examples
    --------
    >>> synthetic_parameters("data/processed/default")["outcome_column"]
    'converted'
    """
    folder = Path(folder).resolve()
    return {"events_path": str(folder / events),
            "instruments": {k: list(v) for k, v in INSTRUMENTS.items()},
            "outcome_column": "converted", "segment_column": "segment",
            "designed_journey": list(DESIGNED_JOURNEY),
            "truth_path": str(folder / "truth_personas.csv"),
            "instrument": "nps_survey", "csat_instrument": "csat_survey"}


PURCHASES = ("checkout_web", "checkout_app", "store_purchase", "phone_order")
SURVEYED = ("chat_support", "call_support", "first_contact_fix", "return_item", "refund_issued")

#: Planted effects on the NPS scale (points, per journey that meets the touchpoint once or
#: more); CSAT effects are half of these, on the window since the previous CSAT survey.
EFFECTS_NPS: dict[str, float] = {
    "hold_queue": -2.0, "delivery_delayed": -1.5, "payment_failed": -1.0,
    "first_contact_fix": 1.0, "click_and_collect": 0.7, "refund_issued": 0.5,
}

#: The generating process: persona -> "source: target weight, ..." lines.
PROCESSES: dict[str, tuple[float, float, str]] = {
    # persona: (share of customers, baseline NPS, transitions)
    "app_native": (0.22, 7.6, """
        START: social_ad 7, newsletter 1, browse_app 2
        social_ad: browse_app 8, END 2
        newsletter: browse_app 6, END 2
        browse_app: browse_app 3, add_to_cart_app 5, chat_presales 1, END 2
        chat_presales: browse_app 3, add_to_cart_app 2
        add_to_cart_app: checkout_app 7, browse_app 1, END 2
        checkout_app: order_confirmation 1
        order_confirmation: home_delivery 9, delivery_delayed 1
        home_delivery: END 4, chat_support 1, loyalty_signup 4
        delivery_delayed: home_delivery 5, chat_support 5
        chat_support: first_contact_fix 5, chat_support 1, END 2
        first_contact_fix: END 2, loyalty_signup 2
        loyalty_signup: repurchase 4, refer_friend 2, END 4
        repurchase: END 1
        refer_friend: END 1
    """),
    "web_researcher": (0.20, 7.2, """
        START: search_ad 8, newsletter 2
        search_ad: browse_web 9, END 1
        newsletter: browse_web 7, END 3
        browse_web: read_reviews 4, compare_products 3, browse_web 1, END 2
        read_reviews: compare_products 4, browse_web 2, add_to_cart_web 3, END 1
        compare_products: read_reviews 2, browse_web 2, add_to_cart_web 4, END 2
        add_to_cart_web: checkout_web 7, payment_failed 2, END 1
        payment_failed: checkout_web 6, payment_failed 1, END 3
        checkout_web: order_confirmation 1
        order_confirmation: home_delivery 7, delivery_delayed 3
        home_delivery: write_review 4, END 4, chat_support 2
        delivery_delayed: home_delivery 6, chat_support 4
        chat_support: first_contact_fix 4, chat_support 2, END 2
        first_contact_fix: write_review 2, END 3
        write_review: END 1
    """),
    "store_loyalist": (0.18, 8.0, """
        START: store_walk_in 6, newsletter 4
        store_walk_in: store_advice 7, store_purchase 3
        newsletter: store_walk_in 8, END 2
        store_advice: store_purchase 7, store_advice 1, END 2
        store_purchase: loyalty_signup 4, return_item 2, END 4
        return_item: refund_issued 8, store_advice 2
        refund_issued: END 6, loyalty_signup 4
        loyalty_signup: repurchase 6, END 4
        repurchase: END 1
    """),
    "phone_reliant": (0.15, 5.8, """
        START: newsletter 8, search_ad 2
        newsletter: call_presales 8, END 2
        search_ad: call_presales 7, END 3
        call_presales: phone_order 6, call_presales 1, END 3
        phone_order: order_confirmation 1
        order_confirmation: home_delivery 5, delivery_delayed 5
        home_delivery: call_support 5, setup_help 3, END 2
        delivery_delayed: call_support 8, home_delivery 2
        setup_help: call_support 4, END 6
        call_support: hold_queue 7, first_contact_fix 3
        hold_queue: hold_queue 2, call_support 3, first_contact_fix 4, END 1
        first_contact_fix: END 7, call_support 3
    """),
    "omnichannel_switcher": (0.15, 7.4, """
        START: social_ad 5, search_ad 3, store_walk_in 2
        social_ad: browse_app 7, END 3
        search_ad: browse_web 8, END 2
        store_walk_in: store_advice 5, browse_app 5
        browse_app: browse_web 4, store_advice 3, add_to_cart_app 2, END 1
        browse_web: browse_app 3, store_advice 3, add_to_cart_web 3, END 1
        store_advice: browse_app 3, add_to_cart_web 4, store_purchase 2, END 1
        add_to_cart_app: checkout_app 7, browse_web 2, END 1
        add_to_cart_web: checkout_web 7, browse_app 2, END 1
        checkout_app: order_confirmation 1
        checkout_web: order_confirmation 1
        store_purchase: END 5, loyalty_signup 5
        order_confirmation: click_and_collect 7, home_delivery 3
        click_and_collect: END 5, loyalty_signup 3, return_item 2
        home_delivery: END 6, chat_support 4
        chat_support: first_contact_fix 6, END 4
        first_contact_fix: END 1
        return_item: refund_issued 1
        refund_issued: END 1
        loyalty_signup: repurchase 5, END 5
        repurchase: END 1
    """),
    "bargain_hunter": (0.10, 6.6, """
        START: search_ad 7, social_ad 3
        search_ad: compare_products 8, END 2
        social_ad: compare_products 6, END 4
        compare_products: compare_products 4, read_reviews 2, add_to_cart_web 3, END 3
        read_reviews: compare_products 5, END 5
        add_to_cart_web: checkout_web 4, compare_products 2, END 4
        checkout_web: order_confirmation 1
        order_confirmation: home_delivery 8, delivery_delayed 2
        home_delivery: return_item 5, END 5
        delivery_delayed: return_item 5, home_delivery 5
        return_item: refund_issued 1
        refund_issued: END 7, write_review 3
        write_review: END 1
    """),
}
MAX_STEPS = 40  # a journey stops after this many touchpoints
