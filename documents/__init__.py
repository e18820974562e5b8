"""Files people download: Excel workbooks and printable HTML pages.

Builders only: data in, bytes or text out. Nothing here reads the database, checks a role or
imports Streamlit; the services in db/services decide who may have a file and gather its data,
then call these builders.
"""
