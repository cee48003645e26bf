"""Built-in templates compiled by ``python tools/precompile_templates.py``: do not edit."""

JINJA2_VERSION = '3.1.6'
SOURCES = {
    'base.html.j2': '2d59172f66eda40b196f017ad3961311ce40f6c999fc8c6057c609a1a5b2ed7d',
    'index.html.j2': 'd2ac7bbe3bafd2a9376570f902579183ee1f87c5c603407c009152a577235b56',
    'project.html.j2': '761d5a4731ee207143e77f1af3b10bf4e17972afa8168301637ba62cbcd55195',
    'style.css': '7f3a21c385de37b712fb6765696b96d094a73ad0a2da2665c052bf00427009a8',
}
