//! Charts of a run (plotters with an embedded font; no system libraries).
