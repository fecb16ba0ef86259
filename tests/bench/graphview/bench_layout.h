#pragma once

#include <QJsonObject>

// Layout figures for one synthetic topology of `nodes` nodes: time per iteration with every node
// active, iterations and wall time until the layout reports Finished, and the cost of absorbing a
// 1% live update afterwards.
QJsonObject benchLayout(int nodes, int maxIterations);
