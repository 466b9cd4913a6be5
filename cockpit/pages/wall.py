"""The wall: placeholder until the wall issue builds it."""
import dash
from dash import html

dash.register_page(__name__, path="/", order=0)


def layout(**kwargs):
    return html.Div("新昌县创新服务云平台驾驶舱", id="wall")
