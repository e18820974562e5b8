"""登录: the only page an anonymous visitor sees."""

from ui.login_view import show_login

show_login()
