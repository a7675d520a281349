"""One QGIS session, run by Debian's python3 with PyQGIS (not the venv, which has no qgis): opens a Safemap
project headless, reads every layer as QGIS does, and prints what it read as JSON. With `basic`, a "Basic"
authentication config of that user name and secret is created first, under the id the project names, in a
throwaway QGIS authentication database. `cache` is QGIS's network disk cache, kept across sessions; with
`screenshot`, the project's map is drawn to that PNG.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/ogc/qgis_session.py '{"project": …}'
"""

import json
import os
import sys
import tempfile
from pathlib import Path

FONT = Path(__file__).resolve().parents[2] / "frontend/node_modules/vazirmatn/fonts/ttf/Vazirmatn-Regular.ttf"


def main(args: dict) -> dict:
    """Open the project and describe each layer: valid, features (id, Persian title, geometry type),
    field aliases."""
    home = tempfile.mkdtemp(prefix="qgis-home-")
    os.environ["QGIS_AUTH_DB_DIR_PATH"] = home
    from qgis.core import (
        QgsApplication,
        QgsAuthMethodConfig,
        QgsMapLayerType,
        QgsNetworkAccessManager,
        QgsProject,
        QgsSettings,
    )
    from qgis.PyQt.QtGui import QFontDatabase

    app = QgsApplication([], False, home)
    QgsSettings().setValue("cache/directory", args["cache"])
    app.initQgis()
    if FONT.exists():
        QFontDatabase.addApplicationFont(str(FONT))
    cache = QgsNetworkAccessManager.instance().cache()
    if args.get("basic"):
        manager = QgsApplication.authManager()
        manager.setMasterPassword("throwaway master password", True)
        config = QgsAuthMethodConfig("Basic")
        config.setId(args["authcfg"])
        config.setName("Safemap")
        config.setConfig("username", args["basic"][0])
        config.setConfig("password", args["basic"][1])
        assert manager.storeAuthenticationConfig(config)[0], "the auth config was not stored"
    if args.get("gpkg"):
        return {"layers": _geopackage(args["gpkg"], args["tables"])}
    project = QgsProject.instance()
    assert project.read(args["project"]), "QGIS did not read the project"
    layers = {}
    for layer in project.layerTreeRoot().findLayers():
        found = layer.layer()
        entry = {"name": found.name(), "valid": found.isValid(), "provider": found.providerType()}
        if found.type() == QgsMapLayerType.VectorLayer and found.isValid():
            features = list(found.getFeatures())
            names = found.fields().names()
            entry |= {
                "collection": found.dataProvider().uri().param("typename"),
                "renderer": found.renderer().type() if found.renderer() else None,
                "wkb_type": found.wkbType(),
                "ids": sorted(f["id" if "id" in names else "code"] for f in features),
                "stages": sorted({f["stage"] for f in features}) if "stage" in names else [],
                "geometry_types": sorted({f.geometry().wkbType() for f in features}),
                "titles": {str(f["id"]): f["title"] for f in features if "title" in names},
                "aliases": {name: found.attributeAlias(i) for i, name in enumerate(names)},
                "shapes": _shapes(found, features),
            }
        layers[found.id()] = entry
    if args.get("screenshot"):
        _draw(project, args["screenshot"])
    result = {"layers": layers, "cache": cache.cacheDirectory() if cache else None}
    app.exitQgis()
    return result


def _geopackage(path: str, tables: list[str]) -> dict:
    """Each table of a GeoPackage as QGIS opens it: with the default style the file carries."""
    from qgis.core import QgsVectorLayer

    read = {}
    for table in tables:
        layer = QgsVectorLayer(f"{path}|layername={table}", table, "ogr")
        names = layer.fields().names()
        read[table] = {
            "valid": layer.isValid(),
            "renderer": layer.renderer().type(),
            "colours": sorted({s.color().name() for s in layer.renderer().symbols(_render_context())}),
            "labels": layer.labeling().settings().fieldName if layer.labelsEnabled() else None,
            "aliases": {name: layer.attributeAlias(i) for i, name in enumerate(names)},
            "features": layer.featureCount(),
        }
    return read


def _render_context():
    from qgis.core import QgsRenderContext

    return QgsRenderContext()


def _shapes(layer, features: list) -> list[str]:
    """The marker shapes QGIS draws the features with (a category's shape, from the style's expression)."""
    from qgis.core import QgsExpressionContext, QgsExpressionContextUtils, QgsSymbolLayer

    if layer.renderer().type() != "categorizedSymbol" or layer.geometryType() != 0:
        return []
    categories = layer.renderer().categories()
    symbol = categories[0].symbol()
    shape = symbol.symbolLayer(0).dataDefinedProperties().property(QgsSymbolLayer.PropertyName)
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    shapes = set()
    for feature in features:
        context.setFeature(feature)
        shapes.add(shape.value(context, "")[0])
    return sorted(shapes)


def _draw(project, path: str) -> None:
    """The project's visible layers over the district, as QGIS's map canvas draws them."""
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsMapRendererParallelJob,
        QgsMapSettings,
    )
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    root = project.layerTreeRoot()
    visible = [node.layer() for node in root.findLayers() if node.isVisible() and node.layer().isValid()]
    mercator = QgsCoordinateReferenceSystem("EPSG:3857")
    areas = next(layer for layer in visible if "neighbourhoods" in layer.id())
    extent = QgsCoordinateTransform(areas.crs(), mercator, project).transformBoundingBox(areas.extent())
    settings = QgsMapSettings()
    settings.setLayers(visible)
    settings.setDestinationCrs(mercator)
    settings.setOutputSize(QSize(1200, 800))
    settings.setBackgroundColor(QColor("#f4f5f7"))
    settings.setExtent(extent.buffered(extent.width() * 0.03))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(path, "PNG")


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1])), ensure_ascii=False))
