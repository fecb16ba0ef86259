#include "render/graph_shaders.h"

namespace orch::graphview::shaders {

#define GV_CAMERA                                                        \
  "uniform vec2 uCentre;\n"                                              \
  "uniform float uZoom;\n"                                               \
  "uniform vec2 uViewport;\n"                                            \
  "vec2 toScreen(vec2 world) { return (world - uCentre) * uZoom; }\n"    \
  "vec4 toClip(vec2 px) { return vec4(px.x * 2.0 / uViewport.x, -px.y * 2.0 / uViewport.y, 0.0, 1.0); }\n"

const char* const kNodeVertex =
    "#version 330 core\n" GV_CAMERA
    "layout(location = 0) in vec2 aCorner;\n"
    "layout(location = 1) in vec2 iPos;\n"
    "layout(location = 2) in float iRadius;\n"
    "layout(location = 3) in vec4 iColor;\n"
    "layout(location = 4) in vec2 iShapeFlags;\n"
    "uniform float uMinRadiusPx;\n"
    "out vec2 vLocal;\n"
    "out float vRadius;\n"
    "out vec4 vColor;\n"
    "flat out int vShape;\n"
    "flat out int vFlags;\n"
    "void main() {\n"
    "  float r = max(iRadius * uZoom, uMinRadiusPx);\n"
    "  float half_ = r + 5.0;\n"
    "  vLocal = aCorner * half_;\n"
    "  vRadius = r;\n"
    "  vColor = iColor;\n"
    "  vShape = int(iShapeFlags.x + 0.5);\n"
    "  vFlags = int(iShapeFlags.y + 0.5);\n"
    "  gl_Position = toClip(toScreen(iPos) + vLocal);\n"
    "}\n";

const char* const kNodeFragment =
    "#version 330 core\n"
    "in vec2 vLocal;\n"
    "in float vRadius;\n"
    "in vec4 vColor;\n"
    "flat in int vShape;\n"
    "flat in int vFlags;\n"
    "uniform vec4 uBackground;\n"
    "out vec4 fragColor;\n"
    "float sdHexagon(vec2 p, float r) {\n"
    "  const vec3 k = vec3(-0.866025404, 0.5, 0.577350269);\n"
    "  p = abs(p);\n"
    "  p -= 2.0 * min(dot(k.xy, p), 0.0) * k.xy;\n"
    "  p -= vec2(clamp(p.x, -k.z * r, k.z * r), r);\n"
    "  return length(p) * sign(p.y);\n"
    "}\n"
    "float sdOctagon(vec2 p, float r) {\n"
    "  const vec3 k = vec3(-0.9238795325, 0.3826834323, 0.4142135623);\n"
    "  p = abs(p);\n"
    "  p -= 2.0 * min(dot(vec2(k.x, k.y), p), 0.0) * vec2(k.x, k.y);\n"
    "  p -= 2.0 * min(dot(vec2(-k.x, k.y), p), 0.0) * vec2(-k.x, k.y);\n"
    "  p -= vec2(clamp(p.x, -k.z * r, k.z * r), r);\n"
    "  return length(p) * sign(p.y);\n"
    "}\n"
    "float sdTriangle(vec2 p, float r) {\n"
    "  const float k = 1.7320508;\n"
    "  p.y = -p.y;\n"
    "  p.x = abs(p.x) - r;\n"
    "  p.y = p.y + r / k;\n"
    "  if (p.x + k * p.y > 0.0) p = vec2(p.x - k * p.y, -k * p.x - p.y) / 2.0;\n"
    "  p.x -= clamp(p.x, -2.0 * r, 0.0);\n"
    "  return -length(p) * sign(p.y);\n"
    "}\n"
    "float shapeDistance(vec2 p) {\n"
    "  if (vShape == 1) { vec2 q = abs(p) - vec2(0.72); return length(max(q, 0.0)) + min(max(q.x, q.y), 0.0) - 0.2; }\n"
    "  if (vShape == 2) return sdHexagon(p, 0.92);\n"
    "  if (vShape == 3) return (abs(p.x) + abs(p.y) - 1.0) * 0.7071;\n"
    "  if (vShape == 4) return sdTriangle(p * 1.1 + vec2(0.0, 0.15), 1.0);\n"
    "  if (vShape == 5) return sdOctagon(p, 0.94);\n"
    "  return length(p) - 1.0;\n"
    "}\n"
    "void main() {\n"
    "  float d = shapeDistance(vLocal / vRadius) * vRadius;\n"  // distance in pixels
    "  float fill = clamp(0.5 - d, 0.0, 1.0);\n"
    "  vec3 rgb = vColor.rgb;\n"
    "  float border = clamp(d + 1.6, 0.0, 1.0);\n"
    "  rgb = mix(rgb, rgb * 0.55, border * step(4.0, vRadius));\n"
    "  if ((vFlags & 16) != 0) {\n"  // collapsed group: inner ring
    "    float ring = clamp(1.0 - abs(d + vRadius * 0.45), 0.0, 1.0);\n"
    "    rgb = mix(rgb, vec3(1.0), ring * 0.8);\n"
    "  }\n"
    "  float alpha = fill * vColor.a;\n"
    "  vec3 ringColor = vec3(0.0);\n"
    "  float ringAlpha = 0.0;\n"
    "  if ((vFlags & 1) != 0) { ringColor = vec3(1.0); ringAlpha = clamp(1.2 - abs(d - 3.0), 0.0, 1.0); }\n"
    "  else if ((vFlags & 2) != 0) { ringColor = vec3(1.0, 0.9, 0.5); ringAlpha = clamp(1.0 - abs(d - 2.5), 0.0, 1.0); }\n"
    "  else if ((vFlags & 4) != 0) { ringColor = vec3(1.0, 0.9, 0.5); ringAlpha = 0.6 * clamp(0.8 - abs(d - 2.0), 0.0, 1.0); }\n"
    "  if ((vFlags & 8) != 0) { rgb = mix(uBackground.rgb, rgb, 0.25); }\n"
    "  vec3 outRgb = mix(ringColor, rgb, alpha / max(alpha + ringAlpha * (1.0 - alpha), 1e-4));\n"
    "  float outAlpha = alpha + ringAlpha * (1.0 - alpha);\n"
    "  if (outAlpha <= 0.002) discard;\n"
    "  fragColor = vec4(outRgb * outAlpha, outAlpha);\n"  // premultiplied
    "}\n";

const char* const kEdgeVertex =
    "#version 330 core\n" GV_CAMERA
    "layout(location = 0) in vec2 aCorner;\n"  // x: 0..1 along, y: -1..1 across
    "layout(location = 1) in vec4 iEnds;\n"    // source.xy, target.xy (world)
    "layout(location = 2) in vec4 iColor;\n"
    "layout(location = 3) in vec4 iParams;\n"  // width px, traffic (<0: containment), radius a, radius b (world)
    "uniform float uArrowPx;\n"
    "uniform float uMinRadiusPx;\n"
    "out float vAcross;\n"
    "out float vHalfWidth;\n"
    "out float vAlong;\n"
    "out float vTraffic;\n"
    "out vec4 vColor;\n"
    "void main() {\n"
    "  vec2 a = toScreen(iEnds.xy);\n"
    "  vec2 b = toScreen(iEnds.zw);\n"
    "  vec2 delta = b - a;\n"
    "  float len = length(delta);\n"
    "  vec2 dir = len > 1e-4 ? delta / len : vec2(1.0, 0.0);\n"
    "  float ra = max(iParams.z * uZoom, uMinRadiusPx);\n"
    "  float rb = max(iParams.w * uZoom, uMinRadiusPx) + (iParams.y >= 0.0 ? uArrowPx * 0.8 : 0.0);\n"
    "  vec2 start = a + dir * ra;\n"
    "  vec2 end = b - dir * rb;\n"
    "  float segment = max(dot(end - start, dir), 0.0);\n"
    "  float halfWidth = iParams.x * 0.5;\n"
    "  float extent = halfWidth + 1.0;\n"
    "  vec2 perp = vec2(-dir.y, dir.x);\n"
    "  vec2 p = start + dir * (aCorner.x * segment) + perp * (aCorner.y * extent);\n"
    "  vAcross = aCorner.y * extent;\n"
    "  vHalfWidth = halfWidth;\n"
    "  vAlong = aCorner.x * segment;\n"
    "  vTraffic = iParams.y;\n"
    "  vColor = iColor;\n"
    "  gl_Position = toClip(p);\n"
    "}\n";

const char* const kEdgeFragment =
    "#version 330 core\n"
    "in float vAcross;\n"
    "in float vHalfWidth;\n"
    "in float vAlong;\n"
    "in float vTraffic;\n"
    "in vec4 vColor;\n"
    "uniform float uTime;\n"
    "out vec4 fragColor;\n"
    "void main() {\n"
    "  float alpha = clamp(vHalfWidth + 0.5 - abs(vAcross), 0.0, 1.0) * vColor.a;\n"
    "  if (vTraffic > 0.0) {\n"
    "    float speed = 12.0 + 60.0 * vTraffic;\n"
    "    float phase = fract((vAlong - uTime * speed) / 14.0);\n"
    "    alpha *= phase < 0.55 ? 1.0 : 0.3;\n"
    "  }\n"
    "  if (alpha <= 0.002) discard;\n"
    "  fragColor = vec4(vColor.rgb * alpha, alpha);\n"
    "}\n";

const char* const kArrowVertex =
    "#version 330 core\n" GV_CAMERA
    "layout(location = 0) in vec2 aCorner;\n"  // (0,0) tip, (-1,+-1) back corners
    "layout(location = 1) in vec4 iEnds;\n"
    "layout(location = 2) in vec4 iColor;\n"
    "layout(location = 3) in vec4 iParams;\n"
    "uniform float uArrowPx;\n"
    "uniform float uMinRadiusPx;\n"
    "out vec4 vColor;\n"
    "void main() {\n"
    "  vec2 a = toScreen(iEnds.xy);\n"
    "  vec2 b = toScreen(iEnds.zw);\n"
    "  vec2 delta = b - a;\n"
    "  float len = length(delta);\n"
    "  vec2 dir = len > 1e-4 ? delta / len : vec2(1.0, 0.0);\n"
    "  float rb = max(iParams.w * uZoom, uMinRadiusPx) + 1.0;\n"
    "  float size = iParams.y < 0.0 ? 0.0 : uArrowPx;\n"  // containment edges have no arrow
    "  vec2 tip = b - dir * rb;\n"
    "  vec2 perp = vec2(-dir.y, dir.x);\n"
    "  vec2 p = tip + dir * (aCorner.x * size) + perp * (aCorner.y * size * 0.45);\n"
    "  vColor = iColor;\n"
    "  gl_Position = toClip(p);\n"
    "}\n";

const char* const kArrowFragment =
    "#version 330 core\n"
    "in vec4 vColor;\n"
    "out vec4 fragColor;\n"
    "void main() { fragColor = vec4(vColor.rgb * vColor.a, vColor.a); }\n";

const char* const kLabelVertex =
    "#version 330 core\n" GV_CAMERA
    "layout(location = 0) in vec2 aCorner;\n"  // 0..1
    "layout(location = 1) in vec4 iAnchorOffset;\n"  // anchor world xy, offset px xy
    "layout(location = 2) in vec2 iSize;\n"
    "layout(location = 3) in vec4 iUv;\n"
    "layout(location = 4) in vec4 iColor;\n"
    "out vec2 vUv;\n"
    "out vec4 vColor;\n"
    "void main() {\n"
    "  vec2 p = floor(toScreen(iAnchorOffset.xy) + iAnchorOffset.zw + 0.5) + aCorner * iSize;\n"
    "  vUv = iUv.xy + aCorner * iUv.zw;\n"
    "  vColor = iColor;\n"
    "  gl_Position = toClip(p);\n"
    "}\n";

const char* const kLabelFragment =
    "#version 330 core\n"
    "in vec2 vUv;\n"
    "in vec4 vColor;\n"
    "uniform sampler2D uAtlas;\n"
    "out vec4 fragColor;\n"
    "void main() {\n"
    "  float a = texture(uAtlas, vUv).a * vColor.a;\n"
    "  if (a <= 0.002) discard;\n"
    "  fragColor = vec4(vColor.rgb * a, a);\n"
    "}\n";

// Composites a cached layer (premultiplied RGBA texture) covering the world rectangle uRect
// (left, top, right, bottom) with the current camera.
const char* const kCompositeVertex =
    "#version 330 core\n" GV_CAMERA
    "layout(location = 0) in vec2 aCorner;\n"  // 0..1, y down
    "uniform vec4 uRect;\n"
    "out vec2 vUv;\n"
    "void main() {\n"
    "  vec2 world = mix(uRect.xy, uRect.zw, aCorner);\n"
    "  vUv = vec2(aCorner.x, 1.0 - aCorner.y);\n"
    "  gl_Position = toClip(toScreen(world));\n"
    "}\n";

const char* const kCompositeFragment =
    "#version 330 core\n"
    "in vec2 vUv;\n"
    "uniform sampler2D uLayer;\n"
    "out vec4 fragColor;\n"
    "void main() {\n"
    "  vec4 c = texture(uLayer, vUv);\n"
    "  if (c.a <= 0.002) discard;\n"
    "  fragColor = c;\n"
    "}\n";

#undef GV_CAMERA

}  // namespace orch::graphview::shaders
