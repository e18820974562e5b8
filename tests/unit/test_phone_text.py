"""A phone's list writes each figure as the table's column_config shows it (ui.phone)."""

import pandas as pd
import streamlit as st

from ui.phone import as_configured, percent_as_points


def test_figures_follow_the_tables_formats_and_text_is_left_alone() -> None:
    rows = pd.DataFrame(
        {
            "share": [0.4667, None],
            "points": [92.456, 7.0],
            "rank": [3, 4],
            "picked": [True, False],
            "already": ["46.7%", "—"],
        }
    )
    config = {
        "share": st.column_config.NumberColumn(format="percent"),
        "points": st.column_config.NumberColumn(format="%.1f"),
        "rank": st.column_config.NumberColumn(format="%d"),
        "picked": st.column_config.CheckboxColumn(),
        "already": st.column_config.NumberColumn(format="percent"),
    }
    shown = as_configured(rows, config)
    assert shown["share"].tolist() == ["46.7%", "—"]
    assert shown["points"].tolist() == ["92.5", "7.0"]
    assert shown["rank"].tolist() == [3, 4]
    assert shown["picked"].tolist() == ["是", "否"]
    assert shown["already"].tolist() == ["46.7%", "—"]


def test_a_wide_table_draws_shares_with_one_decimal_and_bars_whole() -> None:
    """Streamlit's "percent" wrote 50.72% beside 50% and 46.7% on the metric above; the table
    now gets percentage points with "%.1f%%" (50.7%, 50.0%) and the list the same text."""
    rows = pd.DataFrame({"share": [0.5072, 0.5, None], "progress": [0.25, 1.0, 0.5]})
    config = {
        "share": st.column_config.NumberColumn(format="percent", help="占比"),
        "progress": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
    }
    drawn, drawn_config = percent_as_points(rows, config)
    assert drawn["share"].tolist()[:2] == [50.72, 50.0]
    assert pd.isna(drawn["share"].iloc[2])
    assert drawn_config["share"]["type_config"]["format"] == "%.1f%%"
    assert drawn_config["share"]["help"] == "占比"
    # A progress bar too, its bounds with it and its figure whole; the caller's frame and
    # config are left as they were.
    assert drawn["progress"].tolist() == [25.0, 100.0, 50.0]
    bar = drawn_config["progress"]["type_config"]
    assert (bar["format"], bar["min_value"], bar["max_value"]) == ("%.0f%%", 0, 100)
    assert as_configured(rows, config)["progress"].tolist() == ["25%", "100%", "50%"]
    assert config["progress"]["type_config"]["max_value"] == 1
    assert rows["share"].iloc[0] == 0.5072
    assert config["share"]["type_config"]["format"] == "percent"
    phone = as_configured(rows, config)["share"].tolist()
    assert phone == [f"{v:.1f}%" for v in drawn["share"].tolist()[:2]] + ["—"]
