/**
 * EMA teachers: the momentum schedule and the teacher network that follows the student and turns
 * views into the loss's targets (BYOL's projections; DINO's centred, sharpened distributions).
 */
package sparkssl.model.momentum;
