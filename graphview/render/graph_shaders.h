#pragma once

namespace orch::graphview::shaders {

// GLSL 3.30 core sources. All vertex shaders share the camera uniforms
// uCentre (world), uZoom (pixels per world unit), uViewport (pixels).
extern const char* const kNodeVertex;
extern const char* const kNodeFragment;
extern const char* const kEdgeVertex;
extern const char* const kEdgeFragment;
extern const char* const kArrowVertex;
extern const char* const kArrowFragment;
extern const char* const kLabelVertex;
extern const char* const kLabelFragment;
extern const char* const kCompositeVertex;
extern const char* const kCompositeFragment;

// Node flag bits (second component of the node's shape/flags attribute).
inline constexpr int kFlagSelected = 1;
inline constexpr int kFlagHovered = 2;
inline constexpr int kFlagNeighbour = 4;
inline constexpr int kFlagDimmed = 8;
inline constexpr int kFlagCollapsed = 16;
inline constexpr int kFlagPinned = 32;

}  // namespace orch::graphview::shaders
