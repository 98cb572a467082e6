import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('patients')
export class PatientEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'patient_id', type: 'text' })
  patientId: string;

  @Column({ type: 'text' })
  issuer: string;

  @Column({ name: 'patient_name', type: 'text', nullable: true })
  patientName: string | null;

  @Column({ name: 'birth_date', type: 'text', nullable: true })
  birthDate: string | null;

  @Column({ type: 'text', nullable: true })
  sex: string | null;
}
