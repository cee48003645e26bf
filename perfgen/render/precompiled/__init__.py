"""Built-in templates compiled by ``python tools/precompile_templates.py``: do not edit."""

JINJA2_VERSION = '3.1.6'
SOURCES = {
    'base.html.j2': '2d59172f66eda40b196f017ad3961311ce40f6c999fc8c6057c609a1a5b2ed7d',
    'index.html.j2': '0405b6edc1defb5470865d8a39639acd113c574ad94dbbb9f6388da06db4d009',
    'project.html.j2': 'fdfb02a8401135dd30a71c2fdf80a278647cc2f0e1a25d71a6bd85b73247aeea',
    'style.css': '407fbcab4ca7b13b8d4d42c8f7cd40c02c576a31f9e6e1a0b380237be0faee53',
}
