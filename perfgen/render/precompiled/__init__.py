"""Built-in templates compiled by ``python tools/precompile_templates.py``: do not edit."""

JINJA2_VERSION = '3.1.6'
SOURCES = {
    'base.html.j2': '2d59172f66eda40b196f017ad3961311ce40f6c999fc8c6057c609a1a5b2ed7d',
    'index.html.j2': 'd2ac7bbe3bafd2a9376570f902579183ee1f87c5c603407c009152a577235b56',
    'project.html.j2': '88f1a9bc10111eeb0093ac078bcc1fbf308d7721a56b9cd2883f82a0e8814cb9',
    'style.css': 'a3d005a22ca33ee902b848436b344edb75c5f7cc6324d1da4087998b64994526',
}
