"""The Qt desktop app. The only package that imports Qt; it calls services and holds no business rule."""
