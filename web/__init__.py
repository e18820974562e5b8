"""HTTP routes served beside Streamlit through st.App (login, logout, health)."""
