"""Web pages: the dispatcher console, the field app and the public report form.

Server-rendered shells (Jinja2, autoescaped) in Chinese or English with small JavaScript
modules of our own that read and change data only through the REST API, which applies every
permission and masks what a role may not see. Static assets, Leaflet included, are served by
streetrelief itself; nothing is fetched from a CDN.
"""
