"""Hand-over points for later stages (decisions may not import them).

`decision_published`: functions called with each Decision, inside the transaction in which the
director signs the decree. The certificate stage registers one (in its AppConfig.ready()) to create
a pending certificate for each competent decision: a plain service call, not a signal.

`decision_panels`: functions (request, decision) -> HTML shown on the applicant's decision page
(the appeal stage adds until when, and how, the decision can be appealed).
"""

from collections.abc import Callable
from typing import Any

decision_published: list[Callable[[Any], None]] = []
decision_panels: list[Callable[[Any, Any], str]] = []


def on_decision_published(fn):
    decision_published.append(fn)
    return fn


def register_decision_panel(fn):
    decision_panels.append(fn)
    return fn
