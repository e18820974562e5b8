"""Streamlit-side helpers shared by the pages (session, navigation, rendering)."""
