"""What the data says: RFM, segment schemes, segmented customers, loss reasons."""
