// RowSource.featureAttributes names LNetStorage's AttributeValue, whose file
// needs the HDF5 types this package leaves out. The readers timed here write
// no attributes, so an empty type of that name stands in for it.
public enum AttributeValue: Sendable {}
