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
        for problem in exc.details:
            st.markdown(f"- {problem}")
        if stop or isinstance(exc, PermissionDenied):
            st.stop()
    except Exception:
        log.exception("unexpected error on a page")
        st.error(T.ERR_INTERNAL)
        if stop:
            st.stop()


def flash(key: str, text: str, kind: str = "success", *, owner: str | None = None) -> None:
    """A message for the run after st.rerun(), kept under `key` until show_flash(key).

    `owner` (e.g. the open tab) keeps it for show_flash calls with the same owner.
    """
    st.session_state.setdefault(key, []).append((owner, kind, text))


def show_flash(key: str, *, owner: str | None = None, toast: bool = False) -> None:
    """Show the messages waiting under `key`; those of another owner keep waiting.

    Successes as a toast (pages whose layout must not shift) or a success box; errors as errors.
    """
    keep = []
    for who, kind, text in st.session_state.pop(key, []):
        if who not in (owner, None):
            keep.append((who, kind, text))
        elif kind == "success" and toast:
            st.toast(text, icon=":material/check_circle:")
        elif kind == "success":
            st.success(text, icon=":material/check_circle:")
        elif kind == "error":
            st.error(text, icon=":material/error:")
        else:
            st.info(text)
    if keep:
        st.session_state[key] = keep
