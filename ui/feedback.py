"""Turning service outcomes into messages: Chinese sentences, never tracebacks."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from db.services.common import PermissionDenied, ServiceError
from texts import common as T

log = logging.getLogger("wuxing.ui")


@contextmanager
def shown_errors(*, stop: bool = False) -> Iterator[None]:
    """Show a ServiceError's message (and every listed problem); log anything else.

    With stop=True the page stops after the message (for reads the page cannot do without).
    """
    try:
        yield
    except ServiceError as exc:
        st.error(exc.message)
        for problem in exc.errors:
            if problem != exc.message:
                st.markdown(f"- {problem}")
        if stop or isinstance(exc, PermissionDenied):
            st.stop()
    except Exception:
        log.exception("unexpected error on a page")
        st.error(T.ERR_INTERNAL)
        if stop:
            st.stop()
