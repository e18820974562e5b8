"""What README and docs/architecture.md say about the services, checked on the code itself.

Every public function in db/services that reads or writes the database on its own takes the
acting user as its first parameter (and so checks it against permissions.py). The others are
building blocks that run inside the caller's transaction (their first parameter is the
`session`) or pure helpers that open no database session at all; a short, named list covers the
calls made before anyone has logged in.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import CodeType, FunctionType

import db.services

# Before a user exists: logging in (with a password or through single sign-on), resolving a
# session cookie, logging out, the command line's
# create-user; the clock's own work (a publication period that ended turns final); the change
# counter every rerun polls (a number that says "something changed", no data); the anonymous
# ballot, whose one-time code is the voter's only credential (opening the form, casting); the
# hourly reminder run (python -m db remind), the system's own work like the clock's.
WITHOUT_USER = {
    "common.change_counter",
    "auth.login",
    "auth.sso_login",
    "auth.resolve_session",
    "auth.logout",
    "auth.create_user",
    "publication.finalize_due",
    "ballot_casting.open_ballot",
    "ballot_casting.cast_ballot",
    "reminders.run_due",
}
DATABASE = {"read_session", "write_session", "get_engine"}


def _public_functions() -> Iterator[tuple[str, FunctionType]]:
    for info in pkgutil.iter_modules(db.services.__path__):
        module = importlib.import_module(f"db.services.{info.name}")
        for name, value in vars(module).items():
            if (
                not name.startswith("_")
                and isinstance(value, FunctionType)
                and value.__module__ == module.__name__
            ):
                yield f"{info.name}.{name}", value


def _names(code: CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _names(const)
    return names


def test_every_service_that_touches_the_database_takes_the_acting_user_first() -> None:
    functions = dict(_public_functions())
    assert len(functions) > 50, "the services were found"
    wrong = []
    for qualified, function in functions.items():
        params = list(inspect.signature(function).parameters)
        first = params[0] if params else ""
        if first == "actor" or qualified in WITHOUT_USER:
            continue
        if first == "session":
            continue  # inside the caller's transaction: the caller has checked its actor
        touched = _names(function.__code__) & DATABASE
        if touched:
            wrong.append(f"{qualified} opens {sorted(touched)} without an actor")
    assert not wrong, "\n".join(wrong)


def test_the_exemptions_are_still_needed() -> None:
    functions = dict(_public_functions())
    for qualified in WITHOUT_USER:
        params = list(inspect.signature(functions[qualified]).parameters)
        assert params[:1] != ["actor"], f"{qualified} takes the actor now: drop its exemption"
