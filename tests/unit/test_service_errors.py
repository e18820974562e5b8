"""A service error's message and its list of problems: what the pages show under it."""

from db.services.common import InvalidInput, NotFound, invalid


def test_a_lone_message_is_its_own_one_problem() -> None:
    error = InvalidInput("该轮次已结束，不能再录入。")
    assert error.errors == ["该轮次已结束，不能再录入。"]
    assert error.details == []


def test_every_problem_is_listed_and_the_details_leave_out_the_headline() -> None:
    error = invalid(["L1.1：不能为负数", "L1.2：超过满分 3 分"])
    assert error.message == "L1.1：不能为负数"
    assert error.errors == ["L1.1：不能为负数", "L1.2：超过满分 3 分"]
    assert error.details == ["L1.2：超过满分 3 分"]


def test_other_service_errors_list_their_message_too() -> None:
    assert NotFound().errors == [NotFound().message]
