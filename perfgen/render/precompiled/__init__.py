"""Built-in templates compiled by ``python tools/precompile_templates.py``: do not edit."""

JINJA2_VERSION = '3.1.6'
SOURCES = {
    'base.html.j2': '2d59172f66eda40b196f017ad3961311ce40f6c999fc8c6057c609a1a5b2ed7d',
    'combined.html.j2': '8dd1e06e9438851363f8c8c6acb3ab29e284a9ffbb034f4cfe89e5642b311bef',
    'form.html.j2': '571d882c2a04bdfc276b13782cd72b08f97baa02bf9079fe55b183e611ace028',
    'index.html.j2': 'e25564a09c66bc019fd7f2448897369838ab9ce5826b9cc0c4865e398429415d',
    'project.html.j2': '22924f866c6b6e795c51a43b98f55290bd5ee31bec6942680d80b4790c390a99',
    'style.css': '7f3a21c385de37b712fb6765696b96d094a73ad0a2da2665c052bf00427009a8',
}
