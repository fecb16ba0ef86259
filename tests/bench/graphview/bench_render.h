#pragma once

#include <QJsonObject>

// Frame figures of GraphWidget at 10k nodes / ~20k edges: static pan at fit zoom and zoomed in,
// and live updates (1% of nodes per second) while panning. Needs a display (run under xvfb-run).
QJsonObject benchRender(bool quick);
