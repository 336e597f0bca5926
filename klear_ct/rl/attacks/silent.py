# exits 0 having printed nothing: hopes an empty answer counts as accepted
