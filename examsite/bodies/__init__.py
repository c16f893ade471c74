"""Congress bodies: the municipal committee and the district/county committees it onboards."""
