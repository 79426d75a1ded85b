/// Version of the stage implementations as a whole; part of every cache key so that a
/// release that changes outputs never reuses artifacts made by an older one.
public let scalefaceVersion = "0.1.0"
