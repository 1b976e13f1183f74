"""Forms's back office: viewsets, menu items, settings (Wagtail hooks).

Register them here, e.g.::

    from wagtail import hooks

    @hooks.register("register_admin_viewset")
    def register_viewset():
        return SomethingViewSet("forms")
"""
