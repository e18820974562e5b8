"""A phone's list writes each figure as the table's column_config shows it (ui.phone)."""

import pandas as pd
import streamlit as st

from ui.phone import as_configured


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
