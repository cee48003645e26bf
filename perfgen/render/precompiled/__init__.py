"""Built-in templates compiled by ``python tools/precompile_templates.py``: do not edit."""

JINJA2_VERSION = '3.1.6'
SOURCES = {
    'base.html.j2': '2d59172f66eda40b196f017ad3961311ce40f6c999fc8c6057c609a1a5b2ed7d',
    'combined.html.j2': '8dd1e06e9438851363f8c8c6acb3ab29e284a9ffbb034f4cfe89e5642b311bef',
    'form.html.j2': '15507b0ce7a58d78e7c4c6ac3a9a5b83a347ef1353a298781ed4619da50c0403',
    'index.html.j2': 'b2f821172576f7358e91c502dc1aaa1e52c63be968379b292763c111e4388580',
    'project.html.j2': '22924f866c6b6e795c51a43b98f55290bd5ee31bec6942680d80b4790c390a99',
    'style.css': '59789b2d9218de15d251af3b5631968108e18cc52eb12f941077acef7956c147',
    'unit.html.j2': 'dd87ab9eb7e6d42acb67bf60287648d2ef7dfc0c1cb38598633aba225a74dbbf',
}
