"""Built-in templates compiled by ``python tools/precompile_templates.py``: do not edit."""

JINJA2_VERSION = '3.1.6'
SOURCES = {
    'base.html.j2': '2d59172f66eda40b196f017ad3961311ce40f6c999fc8c6057c609a1a5b2ed7d',
    'index.html.j2': 'd2ac7bbe3bafd2a9376570f902579183ee1f87c5c603407c009152a577235b56',
    'project.html.j2': '61fce05662c7a8d711b80ff431156d954ba4fde9111acc345936104df916058f',
    'style.css': '8efe20321abbbb58dc9397086d25ce4ade627ad9ff65edaa43c1025a489ebbc6',
}
